# %% [markdown]
# # 02 · Chấm điểm
# Xếp loại theo `params/bands.yaml`, so với chỉ tiêu của `params/targets.yaml`, khoảng cách tới hạng
# kế tiếp và tới 80 điểm (tiêu chí 15.3), các mức giảm đáng chú ý. Với một tỉnh: sáu nhóm chỉ số so
# với điểm tối đa và điểm mất của từng đơn vị.

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
    display(portal_views.groups_table(run.province_view))
else:
    week = run.district_week
    display(views.period_note(week))

# %%
if run.province:
    display(portal_views.communes_table(run.province_view))
else:
    display(tables.style_scored(week.scored))

# %% [markdown]
# ## Xem từng đơn vị
# Khi chạy tương tác: chọn một đơn vị để xem điểm của đơn vị qua các kỳ có trong kho dữ liệu và các
# chỉ tiêu thành phần so với mục tiêu.

# %%
from helpers import panels

if run.interactive and run.district:
    display(panels.build_unit_panel(run))
