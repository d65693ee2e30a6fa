"""Firestore: one repository per aggregate behind a unit of work (see unit_of_work.py)."""

from shared.adapters.firestore.unit import FirestoreCaches
from shared.adapters.firestore.unit_of_work import FirestoreUnitOfWork

__all__ = ["FirestoreCaches", "FirestoreUnitOfWork"]
