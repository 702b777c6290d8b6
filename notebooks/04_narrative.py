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

# %% [markdown] tags=["remove"]
# # 04 · Báo cáo
# Văn bản huyện ký và gửi đi, theo thể thức Nghị định 30/2020/NĐ-CP: phần đầu, căn cứ, kết quả, các
# điểm cần theo dõi, so sánh, đề nghị, nơi nhận và chữ ký, phụ lục (bảng và biểu đồ). Bản HTML và PDF
# được xuất từ kết quả của notebook này (không kèm mã); bản Word (report.docx) và trang chất lượng số
# liệu cho người lập báo cáo (data_quality.html) được ghi bên cạnh.

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
display(*(HTML(part) for part in report.parts))

# %% [markdown] tags=["remove"]
# ## Thử nghiệm (không đưa vào báo cáo)
# Khi chạy tương tác: thay đổi điểm hoặc chỉ tiêu thành phần của một đơn vị để xem xếp loại, thứ hạng
# và nhận xét của huyện thay đổi thế nào; đổi mức giảm đáng chú ý và số đơn vị yếu nhất được nêu tên.
# Không có gì được ghi vào kho dữ liệu.

# %% tags=["remove"]
from helpers import explore

if run.interactive:
    display(explore.build_what_if_panel(run))

# %% tags=["remove"]
if run.interactive:
    display(explore.build_findings_panel(run))
