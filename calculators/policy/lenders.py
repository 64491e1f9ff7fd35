"""Lenders: codes, Chinese full and short names.

A lender is given by its code (``ICBC``), its Chinese full name (中国工商银行) or a
common short name (工商银行, 工行), case-insensitively and ignoring spaces; full-width
letters (``ＩＣＢＣ``, typed with a Chinese input method) read as their ASCII forms (NFKC).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from types import MappingProxyType

from .._errors import LenderError
from .._i18n import _, language


@dataclass(frozen=True)
class Lender:
    """A bank that may borrow relending.

    Attributes
    ----------
    code : str
        Short Latin code, e.g. ``ICBC``.
    name : str
        Chinese full name, e.g. 中国工商银行.
    group : str
        The group the notices name it by (开发性金融机构, 政策性银行, 国有商业银行, ...).
    aliases : tuple of str
        Other names users write for it.
    """

    code: str
    name: str
    group: str
    aliases: tuple[str, ...] = ()


_DEV, _POLICY, _STATE, _JOINT = "开发性金融机构", "政策性银行", "国有商业银行", "股份制商业银行"
_CITY = "城市商业银行"

LENDERS: tuple[Lender, ...] = (
    Lender("CDB", "国家开发银行", _DEV, ("国开行", "国开银行")),
    Lender("EXIM", "中国进出口银行", _POLICY, ("进出口银行", "口行", "CEXIM")),
    Lender("ADBC", "中国农业发展银行", _POLICY, ("农业发展银行", "农发行")),
    Lender("ICBC", "中国工商银行", _STATE, ("工商银行", "工行")),
    Lender("ABC", "中国农业银行", _STATE, ("农业银行", "农行")),
    Lender("BOC", "中国银行", _STATE, ("中行",)),
    Lender("CCB", "中国建设银行", _STATE, ("建设银行", "建行")),
    Lender("BOCOM", "交通银行", _STATE, ("交行", "BCM")),
    Lender("PSBC", "中国邮政储蓄银行", _STATE, ("邮政储蓄银行", "邮储银行", "邮储")),
    Lender("CITIC", "中信银行", _JOINT, ("中信",)),
    Lender("CEB", "中国光大银行", _JOINT, ("光大银行", "光大")),
    Lender("HXB", "华夏银行", _JOINT, ("华夏",)),
    Lender("CMBC", "中国民生银行", _JOINT, ("民生银行", "民生")),
    Lender("CMB", "招商银行", _JOINT, ("招行",)),
    Lender("CIB", "兴业银行", _JOINT, ("兴业",)),
    Lender("CGB", "广发银行", _JOINT, ("广发",)),
    Lender("PAB", "平安银行", _JOINT, ("平安",)),
    Lender("SPDB", "上海浦东发展银行", _JOINT, ("浦发银行", "浦发")),
    Lender("EGB", "恒丰银行", _JOINT, ("恒丰",)),
    Lender("CZB", "浙商银行", _JOINT, ("浙商",)),
    Lender("CBHB", "渤海银行", _JOINT, ("渤海",)),
    # the five city commercial banks of systemic importance that lend the service-
    # consumption relending (codes as on their own sites: bankofbeijing.com.cn "BOB",
    # bosc.cn, jsbchina.cn, njcb.com.cn, nbcb.com.cn)
    Lender("BOB", "北京银行", _CITY),
    Lender("BOSC", "上海银行", _CITY),
    Lender("JSB", "江苏银行", _CITY),
    Lender("NJCB", "南京银行", _CITY),
    Lender("NBCB", "宁波银行", _CITY),
)


_LEGAL_FORMS = ("股份有限公司", "有限责任公司", "有限公司")


def _key(text: str) -> str:
    """The form a lender's name is matched in: NFKC (``ＩＣＢＣ`` -> ``ICBC``), no spaces,
    upper case, and without the legal form a full registered name ends in
    (中国工商银行股份有限公司 -> 中国工商银行)."""
    key = "".join(unicodedata.normalize("NFKC", str(text)).split()).upper()
    for form in _LEGAL_FORMS:
        if key.endswith(form) and len(key) > len(form):
            return key.removesuffix(form)
    return key


_BY_NAME: MappingProxyType[str, Lender] = MappingProxyType(
    {_key(n): lender for lender in LENDERS for n in (lender.code, lender.name, *lender.aliases)}
)


def outside_lender(text: str | Lender) -> Lender:
    """A lender as named, for a program whose list of lenders is open: the known lender
    of that name, else one whose code and name are the text given (spaces removed)."""
    if isinstance(text, Lender):
        return text
    known = _BY_NAME.get(_key(text))
    if known is not None:
        return known
    name = "".join(str(text).split())
    if not name:
        raise LenderError("lender", text, _("a lender's name or code"))
    return Lender(name, name, "")


def find_lender(text: str | Lender, eligible: tuple[str, ...], program: str) -> Lender:
    """The lender named by ``text``, checked against a program's eligible codes.

    ``program`` is the program as messages name it (the caller's
    :func:`calculators.policy.table.program_title` of its code: this module sits below the
    policy table, which reads the lenders).

    Raises
    ------
    LenderError
        If the name is unknown (the message lists the eligible lenders' codes, each with
        its Chinese name), or the lender is not among ``eligible`` (the eligible codes).
    """
    lender = text if isinstance(text, Lender) else _BY_NAME.get(_key(text))
    by_code = {x.code: x.name for x in LENDERS}
    named = [f"{code} {by_code[code]}" if code in by_code else code for code in eligible]
    # in Chinese the codes with their names (ICBC 中国工商银行), in English the codes
    accepted = "、".join(named) if language() == "zh" else ", ".join(eligible)
    if lender is None:  # a name relend does not know: the codes with their names, in both
        accepted = ("、" if language() == "zh" else ", ").join(named)
        raise LenderError(
            "lender",
            text,
            _("a lender eligible for {program} relending: {lenders}").format(
                program=program, lenders=accepted
            ),
        )
    if lender.code not in eligible:
        raise LenderError(
            "lender",
            text,
            _(
                "{name} ({code}) is not eligible for {program} relending; eligible: {lenders}"
            ).format(
                name=lender.name, code=lender.code, program=program,
                lenders=accepted,
            ),
        )  # fmt: skip
    return lender
