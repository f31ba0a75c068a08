"""Operations: metrics, health, logs, progress."""
