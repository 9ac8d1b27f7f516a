"""Which pydicom plugin decodes which compressed transfer syntax, chosen on purpose.

Several plugins can often decode the same syntax. We pin one per syntax so a result never depends
on which packages happen to be installed, and we avoid pylibjpeg-libjpeg (GPLv3) altogether:

- RLE Lossless: pydicom's own decoder (MIT).
- JPEG baseline/extended/lossless: GDCM through python-gdcm (BSD-3 library, Apache-2.0 wrapper),
  the only non-GPL decoder for lossless JPEG (process 14) that pydicom supports.
- JPEG-LS: pyjpegls (MIT), a wrapper of CharLS (BSD-3).
- JPEG 2000 and HTJ2K: pylibjpeg (MIT) with pylibjpeg-openjpeg (MIT; OpenJPEG is BSD-2).

Native syntaxes (implicit/explicit little endian, big endian, deflate) need no plugin.
"""

from __future__ import annotations

from pydicom import uid
from pydicom.pixels import get_decoder

PREFERRED_PLUGIN = {
    uid.RLELossless: "pydicom",
    uid.JPEGBaseline8Bit: "gdcm",
    uid.JPEGExtended12Bit: "gdcm",
    uid.JPEGLossless: "gdcm",
    uid.JPEGLosslessSV1: "gdcm",
    uid.JPEGLSLossless: "pyjpegls",
    uid.JPEGLSNearLossless: "pyjpegls",
    uid.JPEG2000Lossless: "pylibjpeg",
    uid.JPEG2000: "pylibjpeg",
    uid.HTJ2KLossless: "pylibjpeg",
    uid.HTJ2KLosslessRPCL: "pylibjpeg",
    uid.HTJ2K: "pylibjpeg",
}

PLUGIN_LICENCE = {
    "": "pydicom (MIT)",
    "pydicom": "pydicom (MIT)",
    "gdcm": "python-gdcm (Apache-2.0) / GDCM (BSD-3-Clause)",
    "pyjpegls": "pyjpegls (MIT) / CharLS (BSD-3-Clause)",
    "pylibjpeg": "pylibjpeg (MIT) + pylibjpeg-openjpeg (MIT) / OpenJPEG (BSD-2-Clause)",
}

NATIVE_SYNTAXES = (
    uid.ExplicitVRLittleEndian,
    uid.ImplicitVRLittleEndian,
    uid.ExplicitVRBigEndian,
    uid.DeflatedExplicitVRLittleEndian,
)


def decoding_plugin(transfer_syntax: str) -> str:
    """The plugin to decode ``transfer_syntax`` with; "" lets pydicom choose (native syntaxes)."""
    preferred = PREFERRED_PLUGIN.get(uid.UID(transfer_syntax))
    if preferred is None:
        return ""
    try:
        available = get_decoder(uid.UID(transfer_syntax)).available_plugins
    except (NotImplementedError, ValueError):
        return ""
    # Fall back to pydicom's choice rather than fail if the pinned plugin is missing.
    return preferred if preferred in available else ""


def decoder_table() -> list[dict[str, str]]:
    """Every supported transfer syntax with the plugin we use, the ones available, and licences."""
    rows = []
    for syntax in (*NATIVE_SYNTAXES, *PREFERRED_PLUGIN):
        syntax = uid.UID(syntax)
        try:
            available = list(get_decoder(syntax).available_plugins)
        except (NotImplementedError, ValueError):
            available = []
        chosen = decoding_plugin(syntax)
        if syntax in PREFERRED_PLUGIN and not chosen:
            chosen = "(none available)" if not available else available[0]
        rows.append(
            {
                "transfer_syntax": syntax.name,
                "uid": str(syntax),
                "plugin": chosen or "pydicom (native)",
                "available": ", ".join(available) or "pydicom (native)",
                "licence": PLUGIN_LICENCE.get(chosen, PLUGIN_LICENCE[""]),
            }
        )
    return rows


# What a deployment would need for a syntax the installed plugins cannot decode.
_NEEDS = {
    uid.JPEGBaseline8Bit: "python-gdcm",
    uid.JPEGExtended12Bit: "python-gdcm",
    uid.JPEGLossless: "python-gdcm",
    uid.JPEGLosslessSV1: "python-gdcm",
    uid.JPEGLSLossless: "pyjpegls",
    uid.JPEGLSNearLossless: "pyjpegls",
    uid.JPEG2000Lossless: "pylibjpeg-openjpeg",
    uid.JPEG2000: "pylibjpeg-openjpeg",
    uid.HTJ2KLossless: "pylibjpeg-openjpeg",
    uid.HTJ2KLosslessRPCL: "pylibjpeg-openjpeg",
    uid.HTJ2K: "pylibjpeg-openjpeg",
}
CONVERT_HINT = (
    "ask the site to send it uncompressed or lossless, or convert it first "
    "(e.g. with dcmtk's dcmdjpeg or gdcmconv --raw)"
)


def syntax_name(transfer_syntax: str) -> str:
    name = uid.UID(transfer_syntax).name
    return name if name and name != transfer_syntax else f"transfer syntax {transfer_syntax}"


def decode_problem(transfer_syntax: str, bits_stored: int) -> str | None:
    """Why pixels in ``transfer_syntax`` cannot be decoded with the installed plugins, or None.

    Checked from the header, so the report names the file and what decoding it needs instead
    of calling a valid file corrupt.
    """
    if not transfer_syntax or transfer_syntax in NATIVE_SYNTAXES:
        return None
    syntax = uid.UID(transfer_syntax)
    name = syntax_name(transfer_syntax)
    try:
        available = set(get_decoder(syntax).available_plugins)
    except (NotImplementedError, ValueError):
        return f"{name} cannot be decoded here: needs a decoder that pydicom does not have"
    if syntax == uid.JPEGExtended12Bit and bits_stored > 8 and "pylibjpeg" not in available:
        # GDCM and Pillow decode only 8-bit JPEG Extended; 12-bit needs libjpeg (GPL-3.0).
        return (
            "JPEG Extended (12-bit) cannot be decoded here: needs pylibjpeg-libjpeg, which is "
            f"GPL-licensed and not installed; {CONVERT_HINT}"
        )
    if not available:
        needed = _NEEDS.get(syntax, "a decoder plugin for pydicom")
        return f"{name} cannot be decoded here: needs {needed}, which is not installed"
    return None
