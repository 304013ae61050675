"""Token usage and limits per model type. Reserve before a paid call, then commit the
real usage or refund. The reservation is one conditional UPDATE, so concurrent callers
can never push usage past the limit (and a CHECK constraint backs it up).

On the secured shared store nobody writes `token` or `token_reservation` directly: the
security part's SECURITY DEFINER functions do (storyclip_reserve_tokens,
storyclip_settle_tokens, storyclip_set_limit), with the same conditional UPDATE inside,
and a reservation names the project it is for (only its owner or an editor may spend)."""

from __future__ import annotations

import re

from sqlalchemy import case, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from ..domain import validation as v
from ..domain.catalog import DEFAULT_LIMITS, TOKEN_TYPES
from ..store.models import Token, TokenReservation, User
from .base import ServiceBase, server_message, sqlstate
from .errors import QUOTA_SQLSTATE, Conflict, Forbidden, NotFound, QuotaExceeded, ServiceError
from .views import Reservation, TokenUsage

_DETAIL = re.compile(r"needed=(\d+) usage=(\d+) limit=(\d+)")
_USED = re.compile(r"\((\d+)\)")


class TokenService(ServiceBase):
    def ensure_rows(self, user_id: int | None = None) -> None:
        """Every token type gets a row with the default limit, once. (On the secured
        shared store `storyclip admin add-user` made them; clients may not write them.)"""
        if self.access.secured:
            return
        uid = user_id or self.user_id
        with self._transaction() as s:
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
        if self.access.secured:
            return self._set_limit_shared(token_type, limit, email)
        with self._transaction() as s:
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

    def reserve(
        self, token_type: str, amount: int, request_key: str, *, project_id: int | None = None
    ) -> Reservation:
        """Hold `amount` for the call identified by `request_key`. Reserving the same key
        twice holds it once. Raises QuotaExceeded, naming the limit and what is left.
        `project_id` (the project the call is for) is required on the shared store."""
        token_type = v.token_type(token_type)
        if amount <= 0:
            raise v.ValidationError("amount", "must be positive")
        if self.access.secured and project_id is None:
            raise ServiceError("a token reservation on the shared store must name its project")
        existing = self._reservation(request_key)
        if existing is not None:
            return existing
        if self.access.secured:
            return self._reserve_shared(token_type, amount, request_key, project_id)
        try:
            with self._transaction() as s:
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
        if self.access.secured:
            return self._settle_shared(request_key, state, charged)
        with self._transaction() as s:
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

    # ---- the secured shared store: the security part's functions ---------------------

    def _reserve_shared(self, token_type: str, amount: int, request_key: str, project_id: int) -> Reservation:
        try:
            with self._transaction() as s:
                state = s.execute(
                    text("SELECT storyclip_reserve_tokens(:p, :t, :a, :k)"),
                    {"p": project_id, "t": token_type, "a": amount, "k": request_key},
                ).scalar_one()
        except DBAPIError as e:
            raise _token_error(e, token_type) from None
        if state != "reserved":
            # The same key was reserved (and settled) meanwhile: report what stands.
            return self._reservation(request_key) or Reservation(request_key, token_type, amount, state)
        return Reservation(request_key, token_type, amount, state)

    def _settle_shared(self, request_key: str, state: str, charged: int) -> Reservation:
        res = self._reservation(request_key)
        if res is None:
            raise NotFound(f"no reservation {request_key}")
        if res.state != "reserved":
            if res.state == state:
                return res
            raise ServiceError(f"reservation {request_key} was already {res.state}")
        try:
            with self._transaction() as s:
                done = s.execute(
                    text("SELECT storyclip_settle_tokens(:k, :a, :s)"),
                    {"k": request_key, "a": charged, "s": state},
                ).scalar_one()
        except DBAPIError as e:
            if sqlstate(e) == "22023":  # settled the other way meanwhile
                now = self._reservation(request_key)
                raise ServiceError(
                    f"reservation {request_key} was already {now.state if now else 'settled'}"
                ) from None
            raise _token_error(e, res.token_type) from None
        return Reservation(request_key, res.token_type, res.amount, done)

    def _set_limit_shared(self, token_type: str, limit: int, email: str | None) -> TokenUsage:
        try:
            with self._transaction() as s:
                mine = s.scalar(select(User.email).where(User.id == self.user_id))
                target = v.email(email) if email is not None else mine
                if target is None:
                    raise NotFound("this person has no users row on the shared store")
                s.execute(
                    text("SELECT storyclip_set_limit(:e, :t, :l)"), {"e": target, "t": token_type, "l": limit}
                )
                if mine is not None and target.lower() == mine.lower():
                    usage = s.scalar(
                        select(Token.usage).where(Token.user_id == self.user_id, Token.type == token_type)
                    )
                else:  # someone else's row: RLS hides it; admins read it through a function
                    usage = s.execute(
                        text("SELECT storyclip_token_usage(:e, :t)"), {"e": target, "t": token_type}
                    ).scalar_one()
                return TokenUsage(token_type, int(usage or 0), limit)
        except NotFound:
            if email is not None:
                raise NotFound(f"no user with email {email}") from None
            raise
        except DBAPIError as e:
            message = server_message(e)
            if sqlstate(e) == "22023" and "below what was already used" in message:
                used = _USED.search(message)
                shown = f"{int(used.group(1)):,}" if used else "more"
                raise v.ValidationError("limit", f"is below what was already used ({shown})") from None
            raise _token_error(e, token_type) from None


def _token_error(e: DBAPIError, token_type: str) -> Exception:
    """The token functions' refusals as the services' own errors."""
    code, message = sqlstate(e), server_message(e)
    if code == QUOTA_SQLSTATE:
        detail = getattr(getattr(e.orig, "diag", None), "message_detail", None) or ""
        m = _DETAIL.search(detail)
        if m:
            needed, usage, limit = (int(x) for x in m.groups())
            return QuotaExceeded(token_type, needed, usage, limit)
        return ServiceError(f"the {token_type} token limit would be exceeded")
    if code == "42501":
        return Forbidden(message)
    if code == "P0002":
        return NotFound(message)
    if code == "23505":
        return Conflict(message)
    if code == "22023":
        return ServiceError(message)
    return e
