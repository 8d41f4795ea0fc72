"""ReleaseWatch: alerts for the families of Venezuela's political prisoners and the NGOs that
support them, when releases are announced and confirmed."""

__version__ = "0.1.0"
