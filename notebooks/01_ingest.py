# ---
# jupyter:
#   jupytext:
#     cell_metadata_filter: tags,-all
#     formats: ipynb,py:percent
#     notebook_metadata_filter: kernelspec,jupytext
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: "Ch\u1EC9 s\u1ED1 766 (.venv)"
#     language: python
#     name: chiso766
# ---

# %% [markdown]
# # 01 · Nạp dữ liệu
# Đọc các báo cáo của huyện trong `data/raw/<huyện>/`, kiểm tra từng dòng và đưa vào kho dữ liệu.
# Nạp lại một tệp đã có không thêm gì; mọi cảnh báo được ghi kèm tệp và dòng.

# %%
from IPython.display import display

from helpers import ingest, notebook, views

# %% tags=["parameters"]
district = "cho-moi"
week = ""
interactive = True

# %%
run = notebook.check_parameters(globals())

# %% [markdown]
# ## Kết quả nạp

# %%
display(views.ingest_compared(run))  # by hand: the districts it is compared with too, as the batch does
result = ingest.ingest_raw(run.district)
display(views.ingest_summary(result))

# %% [markdown]
# ## Số liệu đọc được (các cột theo hợp đồng dữ liệu)

# %%
display(views.parsed_table(result))

# %% [markdown]
# ## Cảnh báo về số liệu của huyện

# %%
display(views.findings_table(run.district))

# %% [markdown]
# ## Lịch sử điểm trong kho

# %%
display(views.history_table(run.district))
