# nbgrader configuration for the rnncourse notebooks (copy it to the root of your
# nbgrader course directory as nbgrader_config.py).  See docs/nbgrader.md.
#
#   course/
#     nbgrader_config.py            this file
#     source/ps2/02_forward_propagation.ipynb   = solutions/02_forward_propagation.ipynb
#
# rnncourse must be installed in the Python that runs nbgrader (the grade cells call
# rnncourse.grading.check, and the preprocessor below comes from rnncourse).

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.root = "."

# Cells tagged "instructor" (a demonstration of the reference, an assert about it)
# are deleted on release, as `rnncourse assign` does; nbgrader's own preprocessors
# follow unchanged.
from nbgrader.converters import GenerateAssignment  # noqa: E402

c.GenerateAssignment.preprocessors = [
    "rnncourse.authoring.nbgrader.DropInstructorCells",
    *GenerateAssignment.preprocessors.default_value,
]

# The grade cells call check(fn, strict=True) on the public cases; a notebook takes
# seconds to run, but leave room for a slow machine.
c.ExecutePreprocessor.timeout = 120
