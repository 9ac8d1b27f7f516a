"""Receiving DICOM from hospital systems: a C-STORE SCP and a STOW-RS request parser.

Nothing here depends on Django: the callers pass callbacks that find a study and store an
instance.
"""
