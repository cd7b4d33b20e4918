"""The temporary price subsidy for unemployment-benefit recipients (失业保险金领取人员价格临时补贴)."""
