/*
 * Copyright 2026 Roamer contributors
 * SPDX-License-Identifier: Apache-2.0
 */
package org.roamer.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;

/**
 * Runs tasks one at a time, in submission order, on a shared executor: the owner of one agent (or of
 * one server's state). Never a thread of its own. Thread-safe.
 *
 * <p>One exists per agent on a node (millions in the Table 1 simulation), so it is kept small: the count of
 * pending tasks is a field of its own (no {@code AtomicInteger}), the actor is itself the task that drains it (no
 * lambda), its queue is made when a task first has to wait behind another (an idle actor hands a task to the pool directly, so most agents never have one), and what a failing task is
 * reported with is shared ({@code owner} names the actor only when that happens). About 40 bytes, and 48 more
 * once a queue was needed, instead of about 145.
 */
public final class Actor implements Executor, Runnable {
    private static final VarHandle PENDING;
    private static final VarHandle QUEUE;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PENDING = l.findVarHandle(Actor.class, "pending", int.class);
            QUEUE = l.findVarHandle(Actor.class, "queue", ConcurrentLinkedQueue.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Executor executor;
    private final Object owner;
    private final BiConsumer<Object, Throwable> onError;
    /** Tasks waiting; made by the first task that has to wait. */
    private volatile ConcurrentLinkedQueue<Runnable> queue;
    /** Tasks submitted and not yet finished (through {@link #PENDING}). */
    private volatile int pending;
    /**
     * The thread running a task through {@link #executeInline}, else null. Plain field: a thread only ever
     * compares it with itself, and only that thread can have stored its own reference there.
     */
    private Thread inlineThread;

    /**
     * @param executor the shared worker pool
     * @param owner    what the actor serves, for the error report (e.g. the agent's mobile)
     * @param onError  told of an exception a task threw, with {@code owner} (the actor goes on)
     */
    public Actor(Executor executor, Object owner, BiConsumer<Object, Throwable> onError) {
        this.executor = executor;
        this.owner = owner;
        this.onError = onError;
    }

    @Override
    public void execute(Runnable task) {
        if (PENDING.compareAndSet(this, 0, 1)) { // idle: the task goes to the pool directly, no queue needed
            executor.execute(new First(this, task));
            return;
        }
        queue().add(task);
        if ((int) PENDING.getAndAdd(this, 1) == 0) {
            executor.execute(this);
        }
    }

    private ConcurrentLinkedQueue<Runnable> queue() {
        ConcurrentLinkedQueue<Runnable> q = queue;
        if (q == null) {
            q = new ConcurrentLinkedQueue<>();
            if (!QUEUE.compareAndSet(this, null, q)) {
                q = queue;
            }
        }
        return q;
    }

    /**
     * Runs the task on the calling thread when the actor is idle (saving the hand-off to a worker, which
     * costs a thread wake-up per message), else queues it behind the others. Use it from threads that may
     * run short, non-blocking work, such as a transport's reader.
     */
    public void executeInline(Runnable task) {
        if (!PENDING.compareAndSet(this, 0, 1)) {
            execute(task);
            return;
        }
        inlineThread = Thread.currentThread();
        try {
            task.run();
        } catch (Throwable t) {
            onError.accept(owner, t);
        } finally {
            inlineThread = null;
        }
        if ((int) PENDING.getAndAdd(this, -1) - 1 > 0) {
            executor.execute(this); // what arrived meanwhile runs on the pool, in order
        }
    }

    /**
     * True while the calling thread runs a task of this actor through {@link #executeInline}, i.e. on the
     * thread that submitted it rather than on a worker.
     */
    public boolean runningInline() {
        return inlineThread == Thread.currentThread();
    }

    /** Tasks queued and not yet finished. */
    public int backlog() {
        return pending;
    }

    /**
     * Drains the queue: for the executor only, which this actor hands itself to when a task is pending and no
     * drain runs. A bounded batch, then the worker is yielded so one busy actor cannot starve the others.
     */
    @Override
    public void run() {
        drain(1);
    }

    /** Runs the task an idle actor was handed, then what was queued behind it meanwhile. */
    private void runFirst(Runnable task) {
        try {
            task.run();
        } catch (Throwable t) {
            onError.accept(owner, t);
        }
        if ((int) PENDING.getAndAdd(this, -1) - 1 > 0) {
            drain(2);
        }
    }

    private void drain(int first) {
        ConcurrentLinkedQueue<Runnable> q = queue; // made before the pending count that scheduled this run
        for (int batch = first;; batch++) {
            Runnable task = q.poll();
            try {
                task.run();
            } catch (Throwable t) {
                onError.accept(owner, t);
            }
            if ((int) PENDING.getAndAdd(this, -1) - 1 == 0) {
                return;
            }
            if (batch == 64) {
                executor.execute(this);
                return;
            }
        }
    }

    /** The first task of an idle actor, on its way to the pool (short-lived: no queue kept for it). */
    private static final class First implements Runnable {
        private final Actor actor;
        private final Runnable task;

        First(Actor actor, Runnable task) {
            this.actor = actor;
            this.task = task;
        }

        @Override
        public void run() {
            actor.runFirst(task);
        }
    }
}
