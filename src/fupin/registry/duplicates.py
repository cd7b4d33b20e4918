"""Messages about a record that is already registered (重复登记): the one place that decides what they say.

Inside the user's area a message may point to the record (whose it is, which household);
outside it, it says only that the record is registered elsewhere — never a name, a household
number or a head of household of another township. Forms, the API and imports all use these.
"""


def registered_elsewhere(what: str) -> str:
    """身份证号已在其他辖区登记…: nothing about whose it is."""
    return f"{what}已在其他辖区登记，请联系县人社局核实"


def id_number_taken(*, visible: bool, name: str, household_number: str, url: str = "") -> str:
    """The ID number belongs to someone already registered."""
    if not visible:
        return registered_elsewhere("身份证号")
    where = f"（{url}）" if url else ""
    return f"身份证号已登记：{name}，户编号 {household_number}{where}"


def household_number_taken(*, visible: bool, number: str, head_name: str) -> str:
    """The household number (户编号) is already another household's."""
    if not visible:
        return registered_elsewhere("户编号")
    return f"户编号已存在：{number}（户主 {head_name or '未填'}）"
