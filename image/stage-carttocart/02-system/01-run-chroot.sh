#!/bin/bash -e
# pi-gen, inside the target: keep ModemManager and serial logins off the modem's ports.
systemctl mask ModemManager.service serial-getty@ttyAMA0.service serial-getty@ttyS0.service \
	serial-getty@serial0.service
systemctl enable systemd-timesyncd.service
