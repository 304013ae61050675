import time

from sqlalchemy import text

from storyclip_desktop.store.db import Database


def test_updated_at_changes_on_every_update_even_raw_sql(store_url):
    db = Database.open(store_url)
    try:
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO users (id, login_method, email) VALUES (1, 'local', 'a@b.co')"))
            conn.execute(text("INSERT INTO project (id, user_id, title) VALUES (10, 1, 'one')"))
        stamps = []
        for title in ("two", "three"):
            time.sleep(0.02)
            with db.engine.begin() as conn:
                conn.execute(text("UPDATE project SET title = :t WHERE id = 10"), {"t": title})
            with db.engine.connect() as conn:
                stamps.append(conn.execute(text("SELECT created_at, updated_at FROM project")).one())
        (c1, u1), (c2, u2) = stamps
        assert c1 == c2
        assert str(u1) != str(c1) and str(u2) > str(u1)
    finally:
        db.dispose()
