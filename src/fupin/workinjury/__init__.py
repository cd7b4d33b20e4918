"""The work-injury recognition fast track (工伤认定绿色通道)."""
