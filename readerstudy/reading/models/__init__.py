from readerstudy.reading.models.rating import Rating
from readerstudy.reading.models.schedule import Assignment, Pane, Schedule, Task

__all__ = ["Assignment", "Pane", "Rating", "Schedule", "Task"]
