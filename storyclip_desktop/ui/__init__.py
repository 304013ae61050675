"""Qt widgets and models only. They call services; never SQL or HTTP."""
