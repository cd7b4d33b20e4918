"""Spreadsheet files that cross the county's trust boundary (表格文件的安全读写).

- `read`: uploaded xlsx / xls / csv are checked before reading and parsed in a child process
  with a memory and time limit, so no file can take a worker down (`read_cells`).
- `write`: text cells of every export are written so that Excel or WPS never evaluates them as
  formulas (`write_row` for xlsxwriter, `csv_cell` for CSV).
- `response`: the xlsx download every list and report sends (`xlsx_response`), audited; the one
  module here that uses Django (`read` and `write` are Django-free).
"""
