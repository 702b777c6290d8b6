# %% [markdown]
# # 03 · Xếp hạng
# Thứ hạng trong huyện (đồng điểm cùng hạng), thứ hạng tuần trước và mức thay đổi; so sánh với các
# huyện khác, mỗi huyện ghi rõ kỳ số liệu của mình.

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
ranked = sections.load_ranked(scored)
display(sections.period_note(run, scored))
display(tables.style_ranked(ranked))

# %% [markdown]
# ## Tóm tắt huyện

# %%
display(sections.summary_table(scored, ranked))

# %% [markdown]
# ## So sánh giữa các huyện

# %%
display(sections.comparison_table(run))

# %% [markdown]
# ## Xếp hạng theo huyện và tuần
# Khi chạy tương tác: chọn huyện và tuần để xem bảng xếp hạng tương ứng (kèm kỳ số liệu được dùng).

# %%
from helpers import explore

if run.interactive:
    display(explore.build_ranking_panel(run))
