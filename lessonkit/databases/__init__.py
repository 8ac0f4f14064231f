"""The three lesson databases: backends, the embedded PostgreSQL server, schema snapshots and their
diff.
"""
