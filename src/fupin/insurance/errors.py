"""The error of the insurance module's writes (参保、代缴): bad input, with a Chinese message. Its own
module so that the writes (`services`) and the 代缴 run (`subsidy_run`) below them share it."""


class InsuranceError(ValueError):
    """Bad input to an insurance write; the message is Chinese."""
