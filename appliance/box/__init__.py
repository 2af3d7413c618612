"""The appliance's own operations: its clock, the doctor, first-boot provisioning, systemd
notifications, short AT exchanges outside the service, and the settings file on disk."""
