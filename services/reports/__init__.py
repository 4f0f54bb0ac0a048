"""Reports: half-monthly periods, the assessment figures, the bulletin workbook and safe spreadsheet cells."""
