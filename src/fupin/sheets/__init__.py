"""Spreadsheet files that cross the county's trust boundary (表格文件的安全读写).

- `read`: uploaded xlsx / xls / csv are checked before reading and parsed in a child process
  with a memory and time limit, so no file can take a worker down (`read_cells`).
- `write`: text cells of every export are written so that Excel or WPS never evaluates them as
  formulas (`write_row` for xlsxwriter, `csv_cell` for CSV).
- `reader`: an import file's header row found among its first rows, cells read by the column
  names a source declares (`Field`, `find_table`), the upload limits of settings.

Nothing here imports another fupin package but `fupin.idnumber`: the audited xlsx download
(`xlsx_response`) is `fupin.web.xlsx`, above the audit trail it writes.
"""
