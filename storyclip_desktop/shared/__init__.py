"""Shared mode on PostgreSQL: roles, grants, row-level security and the SECURITY DEFINER
functions (install.py, security.py), people and sharing (people.py), and connecting as a
person with the password from the OS keyring (login.py). See docs/security.md."""
