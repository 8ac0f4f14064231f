"""The magics a lesson cell uses: %alembic, %sql, the guarded %%writefile."""
