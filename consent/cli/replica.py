"""`flask replica`: replicate database, archive and checkpoint log to a bucket; restore them."""
import signal
import time

import click
from botocore.exceptions import BotoCoreError, ClientError
from flask import current_app
from flask.cli import AppGroup

from ..evidence import replica
from ..kernel.storage import connect

replica_cli = AppGroup("replica", help="Continuous replication to a bucket, and recovery.")


def require_replica():
    """Stop with a clear message when no replica bucket is configured."""
    if not replica.configured(current_app.config):
        raise click.ClickException("No replica: set REPLICA_BUCKET (docs/operations.md, "
                                   "\"Continuous replication\")")


def interrupted(*_):
    """Turn SIGTERM into the KeyboardInterrupt that stops Litestream cleanly."""
    raise KeyboardInterrupt


@replica_cli.command("run")
@click.option("--every", type=int, default=5, help="Seconds between copies of new files.")
@click.option("--if-configured", is_flag=True,
              help="Stop quietly when no replica is set (how `make run` starts it).")
def run_command(every, if_configured):
    """Run Litestream beside the service and copy each new sealed file; stop with Ctrl-C."""
    config = current_app.config
    if if_configured and not replica.configured(config):
        return
    require_replica()
    litestream = replica.start(config, current_app.instance_path)
    signal.signal(signal.SIGTERM, interrupted)  # make run's trap stops it like Ctrl-C
    size = None
    try:
        while litestream.poll() is None:
            try:
                copied, size = replica.copy_new(config, size)
            except (BotoCoreError, ClientError, OSError) as error:  # the bucket may be down
                click.echo(f"replica: copy failed ({type(error).__name__}); retrying", err=True)
            else:
                if copied:
                    click.echo(f"replica: {copied} sealed files copied", err=True)
            time.sleep(every)
        raise click.ClickException(f"litestream stopped (exit {litestream.returncode})")
    except KeyboardInterrupt:
        pass
    finally:
        litestream.terminate()
        litestream.wait()


@replica_cli.command("restore")
def restore_command():
    """Restore database, archive and checkpoint log from the bucket into this new instance."""
    require_replica()
    db = connect(current_app.config["DATABASE"])
    try:
        used = db["archive"].exists() and db["archive"].count
    finally:
        db.conn.close()
    if used:
        raise click.ClickException("This instance already holds records: restore into a new "
                                   "instance folder")
    replica.restore(current_app.config)
    click.echo("Restored; now run `flask --app consent archive verify --full`")


COMMANDS = (replica_cli,)
