# %% [markdown] tags=["remove"]
# # 04 · Báo cáo
# Văn bản huyện ký và gửi đi, theo thể thức Nghị định 30/2020/NĐ-CP: phần đầu, căn cứ, kết quả, các
# điểm cần theo dõi, so sánh, đề nghị, nơi nhận và chữ ký, phụ lục (bảng và biểu đồ). Bản HTML và PDF
# được xuất từ kết quả của notebook này (không kèm mã); bản Word (report.docx) và trang chất lượng số
# liệu cho người lập báo cáo (data_quality.html) được ghi bên cạnh. Với một tỉnh: báo cáo
# các xã, phường từ số liệu của Cổng, các xã mới thay cho các huyện cũ và lịch sử của các xã cũ.

# %% tags=["remove"]
from IPython.display import HTML, display

from helpers import annex, notebook, report, tables
from helpers.portal import views as portal_views

# %% tags=["parameters", "remove"]
district = "cho-moi"
week = ""
interactive = True
province = ""

# %% tags=["remove"]
run = notebook.check_parameters(globals())
if run.province:
    built = portal_views.build_report(run.province_view)
else:
    week = run.district_week
    built = report.build_report(week)

# %%
display(*(HTML(part) for part in built.parts))

# %% tags=["remove"]
# The Word file, the data-quality page and the index line, from the document shown above (the batch
# writes them beside report.html).
if run.district and not run.interactive:
    annex.show(built, week)

# %% [markdown] tags=["remove"]
# ## Bảng số liệu dùng cho báo cáo (không đưa vào báo cáo)
# Các bảng mà báo cáo được lập từ đó, giữ lại trong notebook đã chạy làm hồ sơ: điểm và xếp loại,
# thứ hạng, và các nhận xét rút ra từ số liệu.

# %% tags=["remove"]
if run.province:
    display(portal_views.communes_table(run.province_view))
else:
    display(tables.style_scored(week.scored))

# %% tags=["remove"]
if run.district:
    display(tables.style_ranked(week.ranked))

# %% tags=["remove"]
if run.province:
    display(portal_views.findings_table(run.province_view))
else:
    display(tables.style_findings(week.findings, week.district.decimal))

# %% [markdown] tags=["remove"]
# ## Thử nghiệm (không đưa vào báo cáo)
# Khi chạy tương tác: thay đổi điểm hoặc chỉ tiêu thành phần của một đơn vị để xem xếp loại, thứ hạng
# và nhận xét của huyện thay đổi thế nào; đổi mức giảm đáng chú ý và số đơn vị yếu nhất được nêu tên.
# Không có gì được ghi vào kho dữ liệu.

# %% tags=["remove"]
from helpers import panels

if run.interactive and run.district:
    display(panels.build_what_if_panel(run))

# %% tags=["remove"]
if run.interactive and run.district:
    display(panels.build_findings_panel(run))
