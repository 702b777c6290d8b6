# %% [markdown]
# # 01 · Nạp dữ liệu
# Đọc các báo cáo của huyện trong `data/raw/<huyện>/`, kiểm tra từng dòng và đưa vào kho dữ liệu.
# Nạp lại một tệp đã có không thêm gì; mọi cảnh báo được ghi kèm tệp và dòng.

# %%
from IPython.display import display

from helpers import ingest, notebook, sections

# %% tags=["parameters"]
district = "cho-moi"
week = ""
interactive = True

# %%
run = notebook.check_parameters(globals())

# %% [markdown]
# ## Kết quả nạp

# %%
display(sections.ingest_compared(run))  # by hand: the districts it is compared with too, as the batch does
result = ingest.ingest_raw(run.district)
display(sections.ingest_summary(result))

# %% [markdown]
# ## Số liệu đọc được (các cột theo hợp đồng dữ liệu)

# %%
display(sections.parsed_table(result))

# %% [markdown]
# ## Cảnh báo về số liệu của huyện

# %%
display(sections.findings_table(run.district))

# %% [markdown]
# ## Lịch sử điểm trong kho

# %%
display(sections.history_table(run.district))
