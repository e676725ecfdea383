"""The local Apache Kafka broker marsad starts for development, the demo and tests."""
