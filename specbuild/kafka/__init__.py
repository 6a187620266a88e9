"""Following a Kafka topic: the client (the only confluent_kafka importer), the follower, checkpoints."""
