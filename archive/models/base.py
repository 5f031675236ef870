"""The declarative base every table shares (one metadata for the migrations)."""
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass
