"""What people see: formatting, charts, notebook controls, the Voilà dashboard,
the leave-behind report and the command line.
"""
