# %% [markdown]
# # 03 · Xếp hạng
# Thứ hạng trong huyện (đồng điểm cùng hạng), thứ hạng tuần trước và mức thay đổi; so sánh với các
# huyện khác, mỗi huyện ghi rõ kỳ số liệu của mình. Với một tỉnh: thứ hạng trong tỉnh (hạng của Cổng
# giữ bên cạnh) và các xã mới thay cho các huyện cũ, kèm lịch sử năm 2023 của từng xã cũ.

# %%
from IPython.display import display

from helpers import notebook, tables, views
from helpers.portal import views as portal_views

# %% tags=["parameters"]
district = "cho-moi"
week = ""
interactive = True
province = ""

# %%
run = notebook.check_parameters(globals())

# %%
if run.province:
    display(portal_views.period_note(run.province_view))
    display(portal_views.communes_table(run.province_view))
else:
    week = run.district_week
    display(views.period_note(week))
    display(tables.style_ranked(week.ranked))

# %% [markdown]
# ## Tóm tắt

# %%
if run.province:
    display(portal_views.successors_table(run.province_view))
    display(portal_views.lineage_table(run.province_view))
else:
    display(views.summary_table(week))

# %% [markdown]
# ## So sánh giữa các huyện

# %%
if run.district:
    display(views.comparison_table(week))

# %% [markdown]
# ## Xếp hạng theo huyện và tuần
# Khi chạy tương tác: chọn huyện và tuần để xem bảng xếp hạng tương ứng (kèm kỳ số liệu được dùng).

# %%
from helpers import panels

if run.interactive and run.district:
    display(panels.build_ranking_panel(run))
