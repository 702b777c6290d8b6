# %% [markdown]
# # 02 · Chấm điểm
# Xếp loại theo `params/bands.yaml`, so với chỉ tiêu của `params/targets.yaml`, khoảng cách tới hạng
# kế tiếp và tới 80 điểm (tiêu chí 15.3), các mức giảm đáng chú ý.

# %%
from IPython.display import display

from helpers import notebook, sections, tables

# %% tags=["parameters"]
district = "cho-moi"
week = ""
interactive = True

# %%
run = notebook.check_parameters(globals())

# %%
scored = sections.load_scored(run)
display(sections.period_note(run, scored))

# %%
display(tables.style_scored(scored))

# %% [markdown]
# ## Xem từng đơn vị
# Khi chạy tương tác: chọn một đơn vị để xem điểm của đơn vị qua các kỳ có trong kho dữ liệu và các
# chỉ tiêu thành phần so với mục tiêu.

# %%
from helpers import explore

if run.interactive:
    display(explore.build_unit_panel(run))
