"""Delivery, the top stage: the weekly email (compose, SMTP, send ledger, configuration).

Reads only the archive (``output/YYYY-MM-DD/``) and the delivery configuration;
imports any stage below it, and nothing below imports it.
"""

from __future__ import annotations

from generator.deliver.config import DeliveryConfig, load_config
from generator.deliver.send import DeliveryReport, RecipientResult, send_briefing

__all__ = ["DeliveryConfig", "DeliveryReport", "RecipientResult", "load_config", "send_briefing"]
