# %% [markdown] tags=["remove"]
# # 04 · Báo cáo
# Văn bản huyện ký và gửi đi, theo thể thức Nghị định 30/2020/NĐ-CP: phần đầu, căn cứ, kết quả, các
# điểm cần theo dõi, so sánh, đề nghị, nơi nhận và chữ ký, phụ lục (bảng và biểu đồ). Bản HTML và PDF
# được xuất từ kết quả của notebook này (không kèm mã); bản Word (report.docx) và trang chất lượng số
# liệu cho người lập báo cáo (data_quality.html) được ghi bên cạnh.

# %% tags=["remove"]
from IPython.display import HTML, display

from helpers import annex, notebook, report, tables

# %% tags=["parameters", "remove"]
district = "cho-moi"
week = ""
interactive = True

# %% tags=["remove"]
run = notebook.check_parameters(globals())
week = run.district_week
built = report.build_report(week)

# %%
display(*(HTML(part) for part in built.parts))

# %% tags=["remove"]
# The Word file, the data-quality page and the index line, from the document shown above (the batch
# writes them beside report.html).
if not run.interactive:
    annex.show(built, week)

# %% [markdown] tags=["remove"]
# ## Bảng số liệu dùng cho báo cáo (không đưa vào báo cáo)
# Các bảng mà báo cáo được lập từ đó, giữ lại trong notebook đã chạy làm hồ sơ: điểm và xếp loại,
# thứ hạng, và các nhận xét rút ra từ số liệu.

# %% tags=["remove"]
display(tables.style_scored(week.scored))

# %% tags=["remove"]
display(tables.style_ranked(week.ranked))

# %% tags=["remove"]
display(tables.style_findings(week.findings, week.district.decimal))

# %% [markdown] tags=["remove"]
# ## Thử nghiệm (không đưa vào báo cáo)
# Khi chạy tương tác: thay đổi điểm hoặc chỉ tiêu thành phần của một đơn vị để xem xếp loại, thứ hạng
# và nhận xét của huyện thay đổi thế nào; đổi mức giảm đáng chú ý và số đơn vị yếu nhất được nêu tên.
# Không có gì được ghi vào kho dữ liệu.

# %% tags=["remove"]
from helpers import panels

if run.interactive:
    display(panels.build_what_if_panel(run))

# %% tags=["remove"]
if run.interactive:
    display(panels.build_findings_panel(run))
