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
# # 02 · Chấm điểm
# Xếp loại theo `params/bands.yaml`, so với chỉ tiêu của `params/targets.yaml`, khoảng cách tới hạng
# kế tiếp và tới 80 điểm (tiêu chí 15.3), các mức giảm đáng chú ý.

# %%
from IPython.display import display

from helpers import notebook, tables, views

# %% tags=["parameters"]
district = "cho-moi"
week = ""
interactive = True

# %%
run = notebook.check_parameters(globals())

# %%
week = run.district_week
display(views.period_note(week))

# %%
display(tables.style_scored(week.scored))

# %% [markdown]
# ## Xem từng đơn vị
# Khi chạy tương tác: chọn một đơn vị để xem điểm của đơn vị qua các kỳ có trong kho dữ liệu và các
# chỉ tiêu thành phần so với mục tiêu.

# %%
from helpers import panels

if run.interactive:
    display(panels.build_unit_panel(run))
