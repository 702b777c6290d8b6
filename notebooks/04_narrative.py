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
