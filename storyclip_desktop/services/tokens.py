"""Token usage and limits per model type. Reserve before a paid call, then commit the
real usage or refund. The reservation is one conditional UPDATE, so concurrent callers
can never push usage past the limit (and a CHECK constraint backs it up)."""

from __future__ import annotations

from sqlalchemy import case, select, update
from sqlalchemy.exc import IntegrityError

from ..domain import validation as v
from ..domain.catalog import DEFAULT_LIMITS, TOKEN_TYPES
from ..store.models import Token, TokenReservation, User
from .base import ServiceBase
from .errors import NotFound, QuotaExceeded, ServiceError
from .views import Reservation, TokenUsage


class TokenService(ServiceBase):
    def ensure_rows(self, user_id: int | None = None) -> None:
        """Every token type gets a row with the default limit, once."""
        uid = user_id or self.user_id
        with self.db.transaction() as s:
            have = set(s.scalars(select(Token.type).where(Token.user_id == uid)).all())
            for t in TOKEN_TYPES:
                if t not in have:
                    s.add(Token(id=self.ids.next_id(), user_id=uid, type=t, usage=0, limit=DEFAULT_LIMITS[t]))

    def usage(self) -> list[TokenUsage]:
        with self.db.sessions() as s:
            rows = s.scalars(select(Token).where(Token.user_id == self.user_id).order_by(Token.type)).all()
            return [TokenUsage(r.type, r.usage, r.limit) for r in rows]

    def set_limit(self, token_type: str, limit: int, *, email: str | None = None) -> TokenUsage:
        token_type, limit = v.token_type(token_type), v.limit(limit)
        with self.db.transaction() as s:
            uid = self.user_id
            if email is not None:
                uid = s.scalar(select(User.id).where(User.email == v.email(email)))
                if uid is None:
                    raise NotFound(f"no user with email {email}")
            row = s.scalars(select(Token).where(Token.user_id == uid, Token.type == token_type)).one_or_none()
            if row is None:
                row = Token(id=self.ids.next_id(), user_id=uid, type=token_type, usage=0, limit=limit)
                s.add(row)
            elif row.usage > limit:
                raise v.ValidationError("limit", f"is below what was already used ({row.usage:,})")
            else:
                row.limit = limit
            s.flush()
            return TokenUsage(row.type, row.usage, row.limit)

    def reserve(self, token_type: str, amount: int, request_key: str) -> Reservation:
        """Hold `amount` for the call identified by `request_key`. Reserving the same key
        twice holds it once. Raises QuotaExceeded, naming the limit and what is left."""
        token_type = v.token_type(token_type)
        if amount <= 0:
            raise v.ValidationError("amount", "must be positive")
        existing = self._reservation(request_key)
        if existing is not None:
            return existing
        try:
            with self.db.transaction() as s:
                row = s.execute(
                    update(Token)
                    .where(
                        Token.user_id == self.user_id,
                        Token.type == token_type,
                        Token.usage + amount <= Token.limit,
                    )
                    .values(usage=Token.usage + amount)
                    .returning(Token.id)
                ).first()
                if row is None:
                    current = s.scalars(
                        select(Token).where(Token.user_id == self.user_id, Token.type == token_type)
                    ).one_or_none()
                    if current is None:
                        raise NotFound(f"no {token_type} token limit is set for this user")
                    raise QuotaExceeded(token_type, amount, current.usage, current.limit)
                s.add(
                    TokenReservation(
                        id=self.ids.next_id(), token_id=row.id, request_key=request_key,
                        amount=amount, state="reserved",
                    )
                )
        except IntegrityError:
            # The same request reserved concurrently; ours rolled back, theirs stands.
            existing = self._reservation(request_key)
            if existing is None:
                raise
            return existing
        return Reservation(request_key, token_type, amount, "reserved")

    def commit(self, request_key: str, actual: int) -> Reservation:
        """Settle a reservation at the usage the API reported. Usage above the
        reservation is charged up to the limit: the money is spent, the limit holds."""
        if actual < 0:
            raise v.ValidationError("actual", "must not be negative")
        return self._settle(request_key, "committed", actual)

    def refund(self, request_key: str) -> Reservation:
        return self._settle(request_key, "refunded", 0)

    def _settle(self, request_key: str, state: str, charged: int) -> Reservation:
        with self.db.transaction() as s:
            res = s.scalars(
                select(TokenReservation).where(TokenReservation.request_key == request_key)
            ).one_or_none()
            if res is None:
                raise NotFound(f"no reservation {request_key}")
            token = s.get(Token, res.token_id)
            if res.state != "reserved":
                if res.state == state:
                    return Reservation(request_key, token.type, res.amount, res.state)
                raise ServiceError(f"reservation {request_key} was already {res.state}")
            done = s.execute(
                update(TokenReservation)
                .where(TokenReservation.id == res.id, TokenReservation.state == "reserved")
                .values(state=state, charged=charged)
            ).rowcount
            if done:
                delta = charged - res.amount
                new_usage = Token.usage + delta
                s.execute(
                    update(Token)
                    .where(Token.id == res.token_id)
                    .values(usage=case((new_usage > Token.limit, Token.limit), (new_usage < 0, 0), else_=new_usage))
                )
            return Reservation(request_key, token.type, res.amount, state)

    def _reservation(self, request_key: str) -> Reservation | None:
        with self.db.sessions() as s:
            row = s.execute(
                select(TokenReservation, Token.type)
                .join(Token, Token.id == TokenReservation.token_id)
                .where(TokenReservation.request_key == request_key)
            ).first()
            if row is None:
                return None
            res, ttype = row
            return Reservation(request_key, ttype, res.amount, res.state)
