/*
 * py_flow_malloc_free.d - the C library malloc(), calloc(), realloc() and
 * free() as called while Python code runs, one line per call, each with the
 * Python file, line and function that was running in the calling thread.
 * Part of the pmanalyze toolkit: its output is read by `pmanalyze import`.
 *
 * PYTHON BUILD: any CPython 3.6+ configured --with-dtrace (it needs the
 * python provider). In a release build most small objects come from pymalloc
 * and never reach malloc(); with --without-pymalloc every allocation does.
 *
 * RUN (-C runs the C preprocessor, needed for the -D options):
 *     sudo dtrace -C -s toolkit/py_flow_malloc_free.d -p PID > trace.log 2>&1
 *     sudo dtrace -C -s toolkit/py_flow_malloc_free.d -c 'python3 script.py' > trace.log 2>&1
 * Stop with Ctrl-C (or let the -c command exit); the aggregations print then.
 *
 * OPTIONS:
 *     -D FULL_FILE_PATH     print full paths of Python files, not basenames
 *     -D PYTHON_CALL_STACK  also print a line per Python call and return
 *     -D NATIVE             also print the native call stack of each
 *                           allocation after its line: ustack(), as DTrace
 *                           prints it (a blank line, one frame a line, leaf
 *                           first, indented, e.g. "libc.so.1`malloc+0x1c",
 *                           then a blank line). pmanalyze reads it as that
 *                           allocation's stack (stacks, leaks --by stack,
 *                           flame graphs). Costs a stack walk per allocation;
 *                           raise -x ustackframes=N for deeper stacks.
 *
 * OUTPUT (the format contract). Example lines are shown after a 4-space
 * indent; the printf formats are given in brackets.
 *
 *    dtrace:::BEGIN
 *
 * Then one line per call made by a thread after it has run Python code.
 * FILE:LINE and FUNCTION are the last Python line event (or function entry)
 * of that thread. Head ["%6d %16s:%-4d -> %s "] of pid, file, line, function:
 *
 *     11672     ex_dtrace.py:48   -> create_list malloc(1477) pntr 0x7fa8e6071400
 *     11672     ex_dtrace.py:48   -> create_list calloc(4, 16) pntr 0x7fa8e6071a00
 *     11672     ex_dtrace.py:50   -> create_list realloc(0x7fa8e6071a00, 128) pntr 0x7fa8e6821c00
 *     11672     ex_dtrace.py:53   -> create_list free(0x7fa8e6071400)
 *
 * Sizes are decimal ["%d"], pointers "0x" and lower-case hex ["0x%x"], so
 * NULL is "0x0". Allocation lines are printed when the call returns (a failed
 * call shows "pntr 0x0"), free() lines when it is entered. A traced call made
 * inside another one (a malloc() done by realloc()) is not printed.
 *
 * With -D PYTHON_CALL_STACK, a header right after BEGIN, then a line per
 * Python call and return, indented two spaces per call depth of the thread
 * ["%6d %16s:%-4d CALL %*s-> %s", "%6d %16s:%-4d RTN  %*s<- %s"]:
 *
 *    C    PID  DELTA(us)              FILE:LINE TYPE     -- FUNC
 *     11672     ex_dtrace.py:40   CALL -> main
 *     11672     ex_dtrace.py:44   CALL   -> create_list
 *     11672     ex_dtrace.py:56   RTN    <- create_list
 *
 * At the end, a blank line, END, and two printa sections:
 *
 *    dtrace:::END
 *    Python malloc byte distributions by engine caller:
 *       python`_PyObject_Malloc, total bytes = 9264
 *    (quantize table of malloc() sizes, blank line) for each C caller
 *    ["   %A, total bytes = %@d%@d"]
 *    (blank line)
 *    Python malloc byte distributions by Python file and function:
 *    (blank line)
 *       ex_dtrace.py, create_list, bytes total = 5909
 *    (quantize table of malloc() sizes, blank line) for each file, function
 *    ["   %s, %s, bytes total = %@d%@d"]
 *
 * Entries come in ascending order of total. The engine caller section counts
 * every malloc() of the process, in Python code or not. The file and function
 * section counts exactly the malloc() calls whose lines are printed above
 * (not calloc or realloc), keyed by the same file and function, so without
 * DTrace drops each total equals the sum of the sizes of those lines.
 */

#pragma D option quiet

#ifdef FULL_FILE_PATH
#define PYFILE(a)	copyinstr(a)
#else
#define PYFILE(a)	basename(copyinstr(a))
#endif

/* Which traced call is in progress in this thread (0: none). */
inline int IN_MALLOC = 1;
inline int IN_CALLOC = 2;
inline int IN_REALLOC = 3;

self string file;	/* Python location of this thread */
self string func;
self int line;
self int inpy;		/* 1 once this thread has run Python code */
self int depth;		/* Python call depth, for PYTHON_CALL_STACK */
self int busy;		/* IN_* of the call between entry and return */
self uint64_t size;	/* arguments of that call */
self uint64_t nelem;
self uint64_t old;

dtrace:::BEGIN
{
	printf("dtrace:::BEGIN\n");
#ifdef PYTHON_CALL_STACK
	printf("%s %6s %10s  %16s:%-4s %-8s -- %s\n",
	    "C", "PID", "DELTA(us)", "FILE", "LINE", "TYPE", "FUNC");
#endif
}

/* Python call stack: arg0 file, arg1 function, arg2 line. */
#ifdef PYTHON_CALL_STACK
python$target:::function-entry
{
	printf("%6d %16s:%-4d CALL %*s-> %s\n", pid, PYFILE(arg0), arg2,
	    self->depth * 2, "", copyinstr(arg1));
	self->depth++;
}

python$target:::function-return
{
	self->depth -= self->depth > 0 ? 1 : 0;
	printf("%6d %16s:%-4d RTN  %*s<- %s\n", pid, PYFILE(arg0), arg2,
	    self->depth * 2, "", copyinstr(arg1));
}
#endif

/* Where this thread is in Python code; kept until the next Python event. */
python$target:::function-entry,
python$target:::line
{
	self->file = PYFILE(arg0);
	self->func = copyinstr(arg1);
	self->line = (int)arg2;
	self->inpy = 1;
}

/* malloc(size): every call, by C caller, for the engine-caller section. */
pid$target::malloc:entry
{
	@malloc_func_total[ufunc(ucaller)] = sum(arg0);
	@malloc_func_size[ufunc(ucaller)] = quantize(arg0);
}

pid$target::malloc:entry
/self->inpy && self->busy == 0/
{
	self->busy = IN_MALLOC;
	self->size = arg0;
}

pid$target::malloc:return
/self->busy == IN_MALLOC/
{
	printf("%6d %16s:%-4d -> %s malloc(%d) pntr 0x%x\n",
	    pid, self->file, self->line, self->func, self->size, arg1);
#ifdef NATIVE
	ustack();
#endif
	@malloc_py_total[self->file, self->func] = sum(self->size);
	@malloc_py_size[self->file, self->func] = quantize(self->size);
	self->busy = 0;
}

/* calloc(nelem, size) */
pid$target::calloc:entry
/self->inpy && self->busy == 0/
{
	self->busy = IN_CALLOC;
	self->nelem = arg0;
	self->size = arg1;
}

pid$target::calloc:return
/self->busy == IN_CALLOC/
{
	printf("%6d %16s:%-4d -> %s calloc(%d, %d) pntr 0x%x\n",
	    pid, self->file, self->line, self->func, self->nelem, self->size,
	    arg1);
#ifdef NATIVE
	ustack();
#endif
	self->busy = 0;
}

/* realloc(old, size) */
pid$target::realloc:entry
/self->inpy && self->busy == 0/
{
	self->busy = IN_REALLOC;
	self->old = arg0;
	self->size = arg1;
}

pid$target::realloc:return
/self->busy == IN_REALLOC/
{
	printf("%6d %16s:%-4d -> %s realloc(0x%x, %d) pntr 0x%x\n",
	    pid, self->file, self->line, self->func, self->old, self->size,
	    arg1);
#ifdef NATIVE
	ustack();
#endif
	self->busy = 0;
}

/* free(ptr): printed on entry, before the block can be handed out again. */
pid$target::free:entry
/self->inpy && self->busy == 0/
{
	printf("%6d %16s:%-4d -> %s free(0x%x)\n",
	    pid, self->file, self->line, self->func, arg0);
}

dtrace:::END
{
	printf("\ndtrace:::END\n");
	printf("Python malloc byte distributions by engine caller:\n");
	printa("   %A, total bytes = %@d%@d\n",
	    @malloc_func_total, @malloc_func_size);
	printf("\nPython malloc byte distributions by Python file and function:\n\n");
	printa("   %s, %s, bytes total = %@d%@d\n",
	    @malloc_py_total, @malloc_py_size);
}
