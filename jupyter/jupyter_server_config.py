# The project's Jupyter server settings; `make lab` adds this folder to JUPYTER_CONFIG_PATH.
# - every notebook is saved without outputs or widget state (helpers.lab.pre_save_hook);
# - JupyterLab's defaults come from jupyter/lab/settings/overrides.json (the interface in Vietnamese;
#   a choice made in Settings → Language is kept in the user's own settings and wins).
from pathlib import Path

c = get_config()  # noqa: F821 (defined by traitlets when it loads this file)
c.ContentsManager.pre_save_hook = "helpers.lab.pre_save_hook"
c.LabApp.app_settings_dir = str(Path(__file__).resolve().parent / "lab" / "settings")
