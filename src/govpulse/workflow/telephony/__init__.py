"""Click-to-call: a provider bridges the caller's phone to the officer's and calls back with the outcome."""

from govpulse.workflow.telephony.base import (
    BadSignature,
    CallReport,
    CallRequest,
    PlacedCall,
    TelephonyError,
    TelephonyProvider,
    provider_from_settings,
)

__all__ = ["BadSignature", "CallReport", "CallRequest", "PlacedCall", "TelephonyError", "TelephonyProvider",
           "provider_from_settings"]
