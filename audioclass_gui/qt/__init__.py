"""Every widget of the app. Logic lives in the Qt-free packages beside this one."""
