"""Firestore: one repository per aggregate behind a unit of work (see unit_of_work.py)."""

from shared.adapters.firestore.unit_of_work import FirestoreCaches, FirestoreUnitOfWork

__all__ = ["FirestoreCaches", "FirestoreUnitOfWork"]
