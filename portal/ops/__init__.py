"""Operations around the data path: request logs, metrics, the shared Redis link, the configuration reference."""
