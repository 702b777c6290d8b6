# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Chỉ số 766 (.venv)
#     language: python
#     name: chiso766
# ---

# %% [markdown] tags=["remove"]
# # 04 · Báo cáo
# Báo cáo gửi đi của huyện: phần đầu, kết quả, nhận xét, so sánh, biểu đồ, phụ lục và chất lượng
# số liệu. Bản HTML và PDF được xuất từ kết quả của notebook này (không kèm mã).

# %% tags=["remove"]
from IPython.display import HTML, display

from helpers import notebook, sections

# %% tags=["parameters", "remove"]
district = "cho-moi"
week = ""
interactive = True

# %% tags=["remove"]
run = notebook.check_parameters(globals())
report = sections.build_report(run)

# %%
for part in report.parts:
    display(HTML(part))
