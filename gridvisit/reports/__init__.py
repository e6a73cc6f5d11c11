"""ReportLab documents (weekly problem list). Never imports Qt."""
