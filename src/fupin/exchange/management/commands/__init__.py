"""Management commands of data exchange: imports and comparisons (数据交换与比对)."""
