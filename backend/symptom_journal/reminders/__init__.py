"""Reminders: the before, after and daily check-ins get made."""
