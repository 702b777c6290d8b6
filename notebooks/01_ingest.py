# %% [markdown]
# # 01 · Nạp dữ liệu
# Đọc các báo cáo của huyện trong `data/raw/<huyện>/`, kiểm tra từng dòng và đưa vào kho dữ liệu.
# Nạp lại một tệp đã có không thêm gì; mọi cảnh báo được ghi kèm tệp và dòng. Với một tỉnh
# (`province`): các tệp số liệu của Cổng Dịch vụ công quốc gia trong `data/raw/portal/`.

# %%
from IPython.display import display

from helpers import ingest, notebook, views
from helpers.portal import views as portal_views

# %% tags=["parameters"]
district = "cho-moi"
week = ""
interactive = True
province = ""

# %%
run = notebook.check_parameters(globals())

# %% [markdown]
# ## Kết quả nạp

# %%
if run.province:
    result = portal_views.ingest_raw()
    display(portal_views.ingest_summary(result))
else:
    display(views.ingest_compared(run))  # by hand: the districts it is compared with too, as the batch does
    result = ingest.ingest_raw(run.district)
    display(views.ingest_summary(result))

# %% [markdown]
# ## Số liệu đọc được

# %%
if run.province:
    display(portal_views.communes_table(run.province_view))
else:
    display(views.parsed_table(result))

# %% [markdown]
# ## Cảnh báo về số liệu

# %%
if run.province:
    display(portal_views.findings_table(run.province_view))
else:
    display(views.findings_table(run.district))

# %% [markdown]
# ## Lịch sử điểm trong kho

# %%
if run.district:
    display(views.history_table(run.district))
