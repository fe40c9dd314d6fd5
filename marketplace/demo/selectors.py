from marketplace.demo.models import DemoDataset


def demo_data_loaded() -> bool:
    """Whether the database holds demo data (seed_demo has run on it)."""
    return DemoDataset.objects.exists()


def demo_dataset() -> DemoDataset | None:
    return DemoDataset.objects.first()
