"""What a member can do about a failed sync: one sentence per kind of failure, shown beside the error."""

from __future__ import annotations

from appliance.errors import AddressRefused, ServiceUnavailable
from appliance.organizer.caldav.client import CredentialsRefused, ServerUnreachable
from appliance.organizer.caldav.trust import CertificateChanged, CertificateUntrusted

__all__ = ["advice_for"]


def advice_for(failure: Exception, minutes: int) -> str:
    again = f"Atom tries again in {minutes} minutes, or press Sync now"
    match failure:
        case CredentialsRefused():
            return (
                "Check the user name and password (an app password where the server offers them): "
                "remove the account and add it again with the right ones."
            )
        case CertificateChanged():
            return (
                "The server shows another certificate than the one trusted. If it was replaced, remove the "
                "account and add it again, checking the new fingerprint; if not, someone may be in between: do not."
            )
        case CertificateUntrusted():
            return (
                "No authority this box knows signed the server's certificate: remove the account and add it "
                "again, checking the fingerprint it shows before trusting it."
            )
        case AddressRefused():
            return (
                "A member's own account reaches servers on the internet only; "
                "an admin can add the account as the household's."
            )
        case ServerUnreachable():
            return f"Check that the server is on and its address is right; {again}."
        case ServiceUnavailable():
            return f"The server had a problem; {again}. If it keeps failing, check the remote calendar still exists."
        case _:
            return "Press Sync now to try again; if it keeps failing, unlink the calendar and link it again."
