# A replica of the reference pipeline's batch prediction, timed on the same files and machine as ours
# (run by bench/predict.ts). Untimed first: the models it loads, fitted the reference's way on the
# bench's training file (KNNImputer k=3 on all rows, std == 0 columns dropped, KMeans with our bench's
# k = 3, then an XGBClassifier per regime with our bench's settings: 100 trees, depth 5, rate 0.1).
# Timed: what the reference does per prediction batch, in its order.
#   1. Raw validation: each file read with pandas for the column count, read again for columns with no
#      value, and written back with the id column renamed to "Wafer" (the reference's three passes).
#   2. Good files into SQLite one INSERT per row (the reference's insertIntoTableGoodData), then the
#      table written out to one CSV and read back with pandas.
#   3. KNNImputer(n_neighbors=3) fitted on the prediction rows themselves, and the columns whose std is 0
#      in those rows dropped (the reference refits both on prediction data). Where that leaves other
#      columns than training kept, the training columns are used instead, or the models could not run.
#   4. KMeans.predict, then for each regime its model's predict on every row (the reference's
#      cluster_data = data.drop(...) selects all rows, not the regime's: the work it really does), and
#      Predictions.csv appended per regime.
# Usage: python3 wafer_reference_predict.py TRAIN_DIR PREDICT_DIR WORK_DIR
#   (needs Debian's python3-sklearn, python3-xgboost and python3-pandas; the app never does)
import csv
import glob
import os
import sqlite3
import sys
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.impute import KNNImputer
from xgboost import XGBClassifier

warnings.filterwarnings('ignore')
train_dir, predict_dir, work = sys.argv[1], sys.argv[2], sys.argv[3]

# ---- Untimed: the models the reference would load from its registry.
train = pd.concat([pd.read_csv(f) for f in sorted(glob.glob(os.path.join(train_dir, '*.csv')))])
y = (train.iloc[:, -1].values == 1).astype(int)
Xt = train.iloc[:, 1:-1]
Xt = pd.DataFrame(KNNImputer(n_neighbors=3, weights='uniform', missing_values=np.nan).fit_transform(Xt),
                  columns=Xt.columns)
kept = [c for c in Xt.columns if Xt[c].std() != 0]
Xt = Xt[kept]
kmeans = KMeans(n_clusters=3, init='k-means++', random_state=42, n_init=10).fit(Xt)
models = {}
for c in sorted(set(kmeans.labels_)):
    rows = kmeans.labels_ == c
    params = dict(n_estimators=100, max_depth=5, learning_rate=0.1, objective='binary:logistic', n_jobs=2)
    models[c] = XGBClassifier(**params).fit(Xt[rows], y[rows]) if len(set(y[rows])) > 1 else None

# ---- Timed: one prediction batch.
t0 = time.time()
files = sorted(glob.glob(os.path.join(predict_dir, '*.csv')))
good = []
for f in files:
    if pd.read_csv(f).shape[1] != train.shape[1] - 1:
        continue
    df = pd.read_csv(f)
    if any(df[c].count() == 0 for c in df.columns):
        continue
    df.rename(columns={'Unnamed: 0': 'Wafer'}, inplace=True)
    out = os.path.join(work, 'good_' + os.path.basename(f))
    df.to_csv(out, index=None, header=True)
    good.append(out)
db = sqlite3.connect(os.path.join(work, 'Prediction.db'))
header = pd.read_csv(good[0], nrows=0).columns
db.execute('CREATE TABLE Good_Raw_Data (' + ', '.join(f'"{c}" varchar' for c in header) + ')')
for f in good:
    with open(f) as fh:
        next(fh)
        for line in fh:
            cells = line.rstrip('\n').split(',')
            db.execute('INSERT INTO Good_Raw_Data values ({})'.format(','.join("'" + v + "'" for v in cells)))
    db.commit()
input_csv = os.path.join(work, 'InputFile.csv')
with open(input_csv, 'w', newline='') as fh:
    w = csv.writer(fh)
    cur = db.execute('SELECT * FROM Good_Raw_Data')
    w.writerow([d[0] for d in cur.description])
    w.writerows(cur.fetchall())
db.close()
data = pd.read_csv(input_csv)
wafers = data['Wafer']
X = data.drop(columns=['Wafer'])
imputed = pd.DataFrame(KNNImputer(n_neighbors=3, weights='uniform', missing_values=np.nan).fit_transform(X),
                       columns=X.columns)
zero_std = [c for c in imputed.columns if imputed[c].std() == 0]
X = imputed.drop(columns=zero_std)
if list(X.columns) != kept:
    X = imputed[kept]
clusters = kmeans.predict(X)
pred_csv = os.path.join(work, 'Predictions.csv')
for c in sorted(set(clusters)):
    names = list(wafers[clusters == c])
    m = models.get(c)
    result = list(m.predict(X)) if m is not None else [0] * len(X)
    pd.DataFrame(list(zip(names, result)), columns=['Wafer', 'Prediction']).to_csv(pred_csv, header=True, mode='a+')
seconds = time.time() - t0
print(f'ROWS {len(X)}')
print(f'SECONDS {seconds:.3f}')
